"""Infrastructure: project.yaml (capabilities, resources, usage), code scan, and OpenTofu generation."""
