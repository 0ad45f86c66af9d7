output "ids" {
  description = "Zone id by service (postgres, sql, redis, blob; synapse_sql, synapse_dev with a warehouse): private endpoints register their address there."
  value       = merge({ for key, zone in azurerm_private_dns_zone.this : key => zone.id }, var.existing_private_dns_zone_ids)
}
