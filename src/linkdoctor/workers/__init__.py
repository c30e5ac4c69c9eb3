"""The killable worker pool every filesystem touch goes through: scans, moves, hashing, trees, path checks.

`pool` starts worker processes and abandons one that does not answer in time;
`child` is the loop a worker process runs. What a worker can be asked to do
(the task kinds and their functions) is linkdoctor.worker_tasks, the program
the pool starts: this package imports nothing else of linkdoctor.
"""
