/*
 * evidence.h - whether a trial directory shows that a job of the trial
 * started. Private.
 */
#ifndef WJR_EVIDENCE_H
#define WJR_EVIDENCE_H

/*
 * 1 when @p trial_dir holds the start marker, the exit record or a
 * slurm-<job>.out/.err file of a job submitted under @p key (a marker or
 * record naming another job name does not count); 0 otherwise. @p job_id
 * receives the job's id text ("123" or "123_4") when one of them tells it,
 * else NULL; @p source (may be NULL) the name of the file that counted.
 * Both are malloc'd and owned by the caller.
 */
int wjr_trial_evidence(char **job_id, char **source, const char *trial_dir, const char *key);

#endif
