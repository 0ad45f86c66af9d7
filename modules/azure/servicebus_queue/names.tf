locals {
  # <project>-<environment>-<name>, and "<that>-dead-letter": cut with a hash of the whole name
  # where that would pass Service Bus's 260 characters.
  qualified = "${var.name_prefix}${var.name}"
  physical  = length(local.qualified) <= 248 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 239), "-")}-${substr(sha1(local.qualified), 0, 8)}"
}
