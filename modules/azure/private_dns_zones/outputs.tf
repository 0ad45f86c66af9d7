output "ids" {
  description = "Zone id by service (postgres, sql, redis, blob): private endpoints register their address there."
  value       = { for key, zone in azurerm_private_dns_zone.this : key => zone.id }
}
