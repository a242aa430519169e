/* lab-strategy-private.h — the strategies' classes, for the table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "lab-strategy.h"

G_BEGIN_DECLS

extern const LabStrategyClass _lab_strategy_sequential;
extern const LabStrategyClass _lab_strategy_threads;
extern const LabStrategyClass _lab_strategy_thread_pool;
extern const LabStrategyClass _lab_strategy_processes;
extern const LabStrategyClass _lab_strategy_process_pool;
extern const LabStrategyClass _lab_strategy_async;
/* Every strategy in the Python runtime: the harness runs the construct. */
extern const LabStrategyClass _lab_strategy_python;

G_END_DECLS
