"""Background jobs: one runner (jobs/runner.py) for scans, imports, checks, repairs and Sonarr/Radarr follow-ups.

Every job takes the library lock (linkdoctor.locks) and announces `job_finished`
(linkdoctor.events) with its end; `scan_manager` runs scans on the runner under
their historic name `SymlinkTaskManager`; `recovery` tidies what a crash
interrupted; `status` turns job rows into the one status shape the API and CLI show.
"""
