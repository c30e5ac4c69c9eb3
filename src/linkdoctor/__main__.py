"""`python -m linkdoctor` is the `linkdoctor` command."""

from linkdoctor.launch import run

run()
