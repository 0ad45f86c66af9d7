# A topic in the project's Service Bus namespace, fanned out to the queues subscribed to it: one
# subscription per queue, named after the queue, auto-forwarding every message to it (so the
# queue's receive_messages gets it), with the adapters' settings (30 s lock, 5 deliveries,
# dead-lettering on expiry, dead letters forwarded to "<queue>-dead-letter"). The workloads
# that use it may publish to it and receive on its subscriptions only.

resource "azurerm_servicebus_topic" "this" {
  name         = local.physical
  namespace_id = var.servicebus_namespace_id
}

resource "azurerm_servicebus_subscription" "queue" {
  for_each                             = var.subscriber_queues
  name                                 = each.key
  topic_id                             = azurerm_servicebus_topic.this.id
  lock_duration                        = "PT30S"
  max_delivery_count                   = 5
  dead_lettering_on_message_expiration = true
  forward_to                           = each.value.name
  forward_dead_lettered_messages_to    = each.value.dead_letter
}

locals {
  roles = ["Azure Service Bus Data Sender", "Azure Service Bus Data Receiver"]
}

# count, not for_each: the identities' object ids are not known until they exist, their number is.
resource "azurerm_role_assignment" "this" {
  count                = length(var.principal_ids) * length(local.roles)
  scope                = azurerm_servicebus_topic.this.id
  role_definition_name = local.roles[count.index % length(local.roles)]
  principal_id         = var.principal_ids[floor(count.index / length(local.roles))]
}
