output "connection" {
  description = "Where the cache is (TLS port; no key: that is in secret_environment)."
  value = {
    host = azurerm_redis_cache.this.hostname
    port = tostring(azurerm_redis_cache.this.ssl_port)
    tls  = "true"
  }
}

output "environment" {
  description = "Variables without secrets: none (the URL holds the access key)."
  value       = {}
}

output "secret_environment" {
  description = "REDIS_URL_<NAME>, the cache adapter's variable for this cache: rediss:// with the access key, on port 6380."
  value       = { (local.url_variable) = "rediss://:${urlencode(azurerm_redis_cache.this.primary_access_key)}@${azurerm_redis_cache.this.hostname}:${azurerm_redis_cache.this.ssl_port}/0" }
  sensitive   = true
}

output "private_link" {
  description = "The Private Link target of the cache (resource id and sub-resource): a Synapse warehouse whose jobs' starters use it makes a managed private endpoint to it."
  value = {
    resource_id = azurerm_redis_cache.this.id
    subresource = "redisCache"
  }
}
