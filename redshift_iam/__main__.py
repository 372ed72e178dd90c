"""``python -m redshift_iam``: the same entry point as the ``redshift-iam`` script."""

from redshift_iam.cli.main import main

if __name__ == "__main__":
    main()
