// SPDX-License-Identifier: GPL-2.0
/* sipsteerd entry point (placeholder until the options are wired). */
#include "core/log.h"

int main(void)
{
	log_init("sipsteerd", false, LOG_LVL_INFO);
	return 0;
}
