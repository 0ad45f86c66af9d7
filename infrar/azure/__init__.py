"""Azure-only features, one plugin per subpackage (infrar.azure.blob), each with its own plugin.yaml.

Using one warns (LockInWarning) and ties the program to Azure. This package has no manifest.
"""
