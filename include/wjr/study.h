/*
 * wjr/study.h - the study driver (configuration, generators, the loop the
 * CLI runs). Declarations follow with the driver.
 */
#ifndef WJR_STUDY_H
#define WJR_STUDY_H
#include "common.h"
#endif
