output "connection" {
  description = "The workspace and Application Insights resource the telemetry goes to (ids, no keys)."
  value = {
    workspace_id         = azurerm_log_analytics_workspace.this.id
    application_insights = azurerm_application_insights.this.id
  }
}

output "environment" {
  description = "Variables without secrets: none (the connection string holds the ingestion key)."
  value       = {}
}

output "secret_environment" {
  description = "APPLICATIONINSIGHTS_CONNECTION_STRING, the variable the observability adapter reads (a Container Apps secret)."
  value       = { APPLICATIONINSIGHTS_CONNECTION_STRING = azurerm_application_insights.this.connection_string }
  sensitive   = true
}
