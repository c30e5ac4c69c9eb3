"""`python -m linkdoctor` is the `linkdoctor` command."""

from linkdoctor.cli import main

main()
