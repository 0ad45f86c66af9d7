# A queue in the project's Service Bus namespace, as the infrar adapters expect it: a lock
# duration of visibility_timeout_seconds (30 s by default, the adapters' lease), 5 deliveries at
# most (the adapters' max deliveries), dead-lettering on expiry, and dead letters forwarded to
# the plain queue "<name>-dead-letter", read like any queue. The workloads that use it may send
# and receive on this queue and its dead-letter queue only.

resource "azurerm_servicebus_queue" "dead_letter" {
  count        = var.dead_letter ? 1 : 0
  name         = "${local.physical}-dead-letter"
  namespace_id = var.servicebus_namespace_id
}

resource "azurerm_servicebus_queue" "this" {
  name                                 = local.physical
  namespace_id                         = var.servicebus_namespace_id
  requires_session                     = var.fifo
  lock_duration                        = "PT${var.visibility_timeout_seconds}S"
  max_delivery_count                   = var.dead_letter ? 5 : 100
  dead_lettering_on_message_expiration = var.dead_letter
  forward_dead_lettered_messages_to    = var.dead_letter ? azurerm_servicebus_queue.dead_letter[0].name : null
}

locals {
  roles = ["Azure Service Bus Data Sender", "Azure Service Bus Data Receiver"]
  # the queue, and its dead-letter queue (the adapters move and read dead letters themselves)
  scopes        = concat([azurerm_servicebus_queue.this.id], azurerm_servicebus_queue.dead_letter[*].id)
  per_principal = length(local.roles) * length(local.scopes)
}

# count, not for_each: the identities' object ids are not known until they exist, their number is.
resource "azurerm_role_assignment" "this" {
  count                = length(var.principal_ids) * local.per_principal
  principal_id         = var.principal_ids[floor(count.index / local.per_principal)]
  role_definition_name = local.roles[floor(count.index / length(local.scopes)) % length(local.roles)]
  scope                = local.scopes[count.index % length(local.scopes)]
}
