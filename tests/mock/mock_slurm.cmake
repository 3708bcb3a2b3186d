# The libslurm calls of src/backend_slurm*.c that the fake controller of
# tests/mock/ fakes (mock_slurm.c and its parts: mock_jobs.c, mock_kill.c,
# mock_exec.c, mock_state.c, mock_cluster.c, mock_acct.c; mock_int.h says
# which owns what), as one link option: executables linked with it against wjr_static
# (never the shared libwjr: --wrap acts on the objects being linked) talk to
# the fake controller instead of slurmctld. Used by tests/unit and tests/cli.
# Both names of the configuration's free call are wrapped: 26.05 renamed
# slurm_free_ctl_conf to slurm_free_conf, and wrapping a name nothing calls
# is harmless; so is wrapping slurm_load_job_state and its helpers, which
# only 23.11.5 and later have, and slurm_kill_jobs (24.05 and later).
set(WJR_SLURM_WRAPPED
    slurm_init
    slurm_submit_batch_job slurm_free_submit_response_response_msg
    slurm_job_will_run2 slurm_free_will_run_response_msg
    slurm_load_job_user slurm_free_job_info_msg
    slurm_kill_job2
    slurm_load_ctl_conf slurm_free_ctl_conf slurm_free_conf
    slurm_load_partitions slurm_free_partition_info_msg
    slurm_load_reservations slurm_free_reservation_info_msg
    slurm_load_licenses slurm_free_license_info_msg
    slurm_load_node slurm_free_node_info_msg slurm_populate_node_partitions
    slurmdb_connection_get slurmdb_jobs_get slurmdb_connection_close slurmdb_get_info_cluster
    slurm_load_job_state slurm_free_job_state_response_msg slurm_bit_fmt
    slurm_kill_jobs slurm_free_kill_jobs_response_msg)
list(JOIN WJR_SLURM_WRAPPED ",--wrap=" _wjr_wrap)
set(WJR_SLURM_WRAP_OPTION "LINKER:--wrap=${_wjr_wrap}")
