output "connection" {
  description = "Where the cache is (TLS port; identities authenticate, no key)."
  value = {
    host = azurerm_redis_cache.this.hostname
    port = tostring(azurerm_redis_cache.this.ssl_port)
    tls  = "true"
  }
}
