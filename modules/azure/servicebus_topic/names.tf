locals {
  # <project>-<environment>-<name>, cut with a hash of the whole name past Service Bus's 260
  # characters. Its subscriptions keep the queues' program names (at most 50 characters, unique
  # within the topic only).
  qualified = "${var.name_prefix}${var.name}"
  physical  = length(local.qualified) <= 260 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 251), "-")}-${substr(sha1(local.qualified), 0, 8)}"
}
