output "principal_id" {
  description = "Object id of the workload identity: resources grant their roles to it."
  value       = azurerm_user_assigned_identity.workload.principal_id
}

output "workload_client_id" {
  description = "Client id to annotate the workload service account with (azure.workload.identity/client-id)."
  value       = azurerm_user_assigned_identity.workload.client_id
}

output "endpoint" {
  description = "Private FQDN of the API server."
  value       = azurerm_kubernetes_cluster.this.private_fqdn
}

output "identity_name" {
  description = "Display name of the workload identity: the Entra principal a database user is created FROM EXTERNAL PROVIDER for (Synapse serverless SQL looks principals up by name)."
  value       = azurerm_user_assigned_identity.workload.name
}
