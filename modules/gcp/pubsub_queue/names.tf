locals {
  # <project>-<environment>-<name> for the topic and subscription, "<that>-dead-letter" for the
  # dead letters: cut with a hash of the whole name where that would pass Pub/Sub's 255 characters.
  qualified = "${var.name_prefix}${var.name}"
  physical  = length(local.qualified) <= 243 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 234), "-")}-${substr(sha1(local.qualified), 0, 8)}"
}
