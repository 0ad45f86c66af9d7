locals {
  # <project>-<environment>-<name>, cut with a hash of the whole name past Pub/Sub's 255 characters.
  qualified = "${var.name_prefix}${var.name}"
  physical  = length(local.qualified) <= 255 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 246), "-")}-${substr(sha1(local.qualified), 0, 8)}"
}
