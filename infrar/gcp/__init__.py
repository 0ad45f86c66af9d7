"""GCP-only features, one plugin per subpackage (infrar.gcp.storage), each with its own plugin.yaml.

Using one warns (LockInWarning) and ties the program to GCP. This package has no manifest.
"""
