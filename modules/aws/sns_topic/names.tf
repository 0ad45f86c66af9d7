locals {
  # <project>-<environment>-<name>, cut with a hash of the whole name past SNS's 256 characters.
  qualified = "${var.name_prefix}${var.name}"
  physical  = length(local.qualified) <= 256 ? local.qualified : "${trimsuffix(substr(local.qualified, 0, 247), "-")}-${substr(sha1(local.qualified), 0, 8)}"
}
