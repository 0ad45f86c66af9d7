output "id" {
  description = "Resource id of the namespace (the queues and topics are created in it)."
  value       = azurerm_servicebus_namespace.this.id
}

output "host" {
  description = "Fully qualified namespace host: what AZURE_SERVICEBUS_NAMESPACE holds."
  value       = "${azurerm_servicebus_namespace.this.name}.servicebus.windows.net"
}
