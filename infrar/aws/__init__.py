"""AWS-only features, one plugin per subpackage (infrar.aws.s3, later infrar.aws.sqs), each with its own plugin.yaml.

Using one warns (LockInWarning) and ties the program to AWS. This package has no manifest.
"""
