"""Background jobs: one runner (jobs/runner.py) for scans, imports, checks, repairs and notifications.

`lock` is the library lock every job and every change to the library takes;
`scan_manager` runs scans on the runner under their historic name
`SymlinkTaskManager`; `recovery` tidies what a crash interrupted; `status` turns
job rows into the one status shape the API and CLI show.
"""
