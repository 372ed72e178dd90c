"""Where the AWS documentation behind the rules lives: the guides' base addresses, which the
rules table joins with page names and ``explain`` abbreviates."""

DG = "https://docs.aws.amazon.com/redshift/latest/dg/"  # Database Developer Guide
MG = "https://docs.aws.amazon.com/redshift/latest/mgmt/"  # Management Guide
S3UG = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"  # Amazon S3 User Guide
