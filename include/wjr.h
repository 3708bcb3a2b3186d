/*
 * wjr.h - the umbrella header of libwjr: include this one.
 *
 * libwjr runs the trials of optimization studies as Slurm jobs. Ownership
 * rules are stated in each header; in short, what comes back through an
 * `out` parameter belongs to the caller and has a matching _free function,
 * getters return borrowed pointers.
 */
#ifndef WJR_H
#define WJR_H

#include "wjr/common.h"
#include "wjr/wrapper.h"
#include "wjr/backend.h"
#include "wjr/runner.h"
#include "wjr/study.h"
#include "wjr/optimizer.h"

#endif
