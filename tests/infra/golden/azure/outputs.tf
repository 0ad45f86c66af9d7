output "environment" {
  description = "Native configuration for the application: set these environment variables."
  value = merge(
    local.environment,
    module.bucket_shop_uploads.environment,
    module.bucket_scratch_files.environment,
    module.database_orders.environment,
    module.queue_tasks.environment,
    module.topic_events.environment,
    module.cache_sessions.environment,
    module.warehouse_analytics.environment,
  )
}

output "secret_environment" {
  description = "Variables whose values are secrets, with the values themselves (Container Apps secrets): the workloads get them injected."
  value = merge(
    module.database_orders.secret_environment,
    module.cache_sessions.secret_environment,
    module.warehouse_analytics.secret_environment,
  )
  sensitive = true
}

output "buckets" {
  description = "Connection details of each bucket by name (no secrets)."
  value = {
    shop-uploads  = module.bucket_shop_uploads.connection
    scratch-files = module.bucket_scratch_files.connection
  }
}

output "databases" {
  description = "Connection details of each database by name (no secrets)."
  value = {
    orders = module.database_orders.connection
  }
}

output "queues" {
  description = "Connection details of each queue by name (no secrets)."
  value = {
    tasks = module.queue_tasks.connection
  }
}

output "topics" {
  description = "Connection details of each topic by name (no secrets)."
  value = {
    events = module.topic_events.connection
  }
}

output "caches" {
  description = "Connection details of each cache by name (no secrets)."
  value = {
    sessions = module.cache_sessions.connection
  }
}

output "warehouses" {
  description = "Connection details of each warehouse by name (no secrets)."
  value = {
    analytics = module.warehouse_analytics.connection
  }
}

output "services" {
  description = "HTTPS address of each capability by name."
  value = {
    web = module.web_application_web.url
    api = module.api_service_api.url
  }
}

output "clusters" {
  description = "API endpoint of each capability by name."
  value = {
    platform = module.container_orchestrator_platform.endpoint
  }
}

output "database_grants" {
  description = "SQL an administrator runs once in each database to let its workload identities in."
  value = {
    orders    = module.database_orders.grant_sql
    analytics = module.warehouse_analytics.grant_sql
  }
}
