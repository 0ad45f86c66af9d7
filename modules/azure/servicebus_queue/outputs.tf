output "connection" {
  description = "The namespace host and queue name (no secrets: identities authenticate)."
  value = {
    namespace = "${azurerm_servicebus_namespace.this.name}.servicebus.windows.net"
    name      = azurerm_servicebus_queue.this.name
  }
}
