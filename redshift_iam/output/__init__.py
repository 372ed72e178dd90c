"""Output: documents -> JSON, files, Terraform and CloudFormation."""
