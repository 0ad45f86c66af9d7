output "ids" {
  description = "Zone id by service (postgres, sql, redis, blob; synapse_sql, synapse_dev, dfs with a warehouse): private endpoints register their address there."
  value       = merge({ for key, zone in azurerm_private_dns_zone.this : key => zone.id }, var.existing_private_dns_zone_ids)
  # a zone resolves in the network once linked: the endpoints (and the data-plane calls of tofu
  # apply through them, e.g. the Synapse lake filesystem) wait for the links
  depends_on = [azurerm_private_dns_zone_virtual_network_link.this, azurerm_private_dns_zone_virtual_network_link.existing]
}
