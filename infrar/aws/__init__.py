"""AWS-only features. Using one warns (LockInWarning) and ties the program to AWS."""
