"""`python -m linkdoctor` is the `linkdoctor` command."""

from linkdoctor.cli.group import main

main()
