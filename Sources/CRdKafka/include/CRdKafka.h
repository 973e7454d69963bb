#ifndef AREAFLOW_CRDKAFKA_H
#define AREAFLOW_CRDKAFKA_H

// librdkafka.so.1, opened with dlopen when an input or sink needs it instead of linked into every areaflow process
// (scripts/generate-dlopen-shims.py writes this file and explains why). Types and constants come from the
// library's own header; its functions are reached through the accessors below, which return pointers of
// exactly the declared types (accessors, because Swift 6 treats C global variables as shared mutable state).

#include <librdkafka/rdkafka.h>

/// Opens librdkafka.so.1 once; NULL when it is ready, else what went wrong (for the error message).
const char *af_CRdKafka_load(void);

__typeof__(rd_kafka_abort_transaction) *af_rd_kafka_abort_transaction(void);
__typeof__(rd_kafka_assign) *af_rd_kafka_assign(void);
__typeof__(rd_kafka_begin_transaction) *af_rd_kafka_begin_transaction(void);
__typeof__(rd_kafka_commit) *af_rd_kafka_commit(void);
__typeof__(rd_kafka_commit_transaction) *af_rd_kafka_commit_transaction(void);
__typeof__(rd_kafka_committed) *af_rd_kafka_committed(void);
__typeof__(rd_kafka_conf_destroy) *af_rd_kafka_conf_destroy(void);
__typeof__(rd_kafka_conf_new) *af_rd_kafka_conf_new(void);
__typeof__(rd_kafka_conf_set) *af_rd_kafka_conf_set(void);
__typeof__(rd_kafka_conf_set_dr_msg_cb) *af_rd_kafka_conf_set_dr_msg_cb(void);
__typeof__(rd_kafka_conf_set_error_cb) *af_rd_kafka_conf_set_error_cb(void);
__typeof__(rd_kafka_conf_set_log_cb) *af_rd_kafka_conf_set_log_cb(void);
__typeof__(rd_kafka_conf_set_opaque) *af_rd_kafka_conf_set_opaque(void);
__typeof__(rd_kafka_conf_set_rebalance_cb) *af_rd_kafka_conf_set_rebalance_cb(void);
__typeof__(rd_kafka_consume_queue) *af_rd_kafka_consume_queue(void);
__typeof__(rd_kafka_consumer_close) *af_rd_kafka_consumer_close(void);
__typeof__(rd_kafka_consumer_poll) *af_rd_kafka_consumer_poll(void);
__typeof__(rd_kafka_destroy) *af_rd_kafka_destroy(void);
__typeof__(rd_kafka_err2str) *af_rd_kafka_err2str(void);
__typeof__(rd_kafka_error_code) *af_rd_kafka_error_code(void);
__typeof__(rd_kafka_error_destroy) *af_rd_kafka_error_destroy(void);
__typeof__(rd_kafka_error_is_fatal) *af_rd_kafka_error_is_fatal(void);
__typeof__(rd_kafka_error_string) *af_rd_kafka_error_string(void);
__typeof__(rd_kafka_flush) *af_rd_kafka_flush(void);
__typeof__(rd_kafka_get_watermark_offsets) *af_rd_kafka_get_watermark_offsets(void);
__typeof__(rd_kafka_incremental_assign) *af_rd_kafka_incremental_assign(void);
__typeof__(rd_kafka_incremental_unassign) *af_rd_kafka_incremental_unassign(void);
__typeof__(rd_kafka_init_transactions) *af_rd_kafka_init_transactions(void);
__typeof__(rd_kafka_last_error) *af_rd_kafka_last_error(void);
__typeof__(rd_kafka_message_destroy) *af_rd_kafka_message_destroy(void);
__typeof__(rd_kafka_message_errstr) *af_rd_kafka_message_errstr(void);
__typeof__(rd_kafka_metadata) *af_rd_kafka_metadata(void);
__typeof__(rd_kafka_metadata_destroy) *af_rd_kafka_metadata_destroy(void);
__typeof__(rd_kafka_new) *af_rd_kafka_new(void);
__typeof__(rd_kafka_offsets_for_times) *af_rd_kafka_offsets_for_times(void);
__typeof__(rd_kafka_opaque) *af_rd_kafka_opaque(void);
__typeof__(rd_kafka_pause_partitions) *af_rd_kafka_pause_partitions(void);
__typeof__(rd_kafka_poll) *af_rd_kafka_poll(void);
__typeof__(rd_kafka_poll_set_consumer) *af_rd_kafka_poll_set_consumer(void);
__typeof__(rd_kafka_produce) *af_rd_kafka_produce(void);
__typeof__(rd_kafka_query_watermark_offsets) *af_rd_kafka_query_watermark_offsets(void);
__typeof__(rd_kafka_queue_destroy) *af_rd_kafka_queue_destroy(void);
__typeof__(rd_kafka_queue_forward) *af_rd_kafka_queue_forward(void);
__typeof__(rd_kafka_queue_get_partition) *af_rd_kafka_queue_get_partition(void);
__typeof__(rd_kafka_rebalance_protocol) *af_rd_kafka_rebalance_protocol(void);
__typeof__(rd_kafka_seek_partitions) *af_rd_kafka_seek_partitions(void);
__typeof__(rd_kafka_subscribe) *af_rd_kafka_subscribe(void);
__typeof__(rd_kafka_topic_destroy) *af_rd_kafka_topic_destroy(void);
__typeof__(rd_kafka_topic_new) *af_rd_kafka_topic_new(void);
__typeof__(rd_kafka_topic_partition_list_add) *af_rd_kafka_topic_partition_list_add(void);
__typeof__(rd_kafka_topic_partition_list_destroy) *af_rd_kafka_topic_partition_list_destroy(void);
__typeof__(rd_kafka_topic_partition_list_new) *af_rd_kafka_topic_partition_list_new(void);
__typeof__(rd_kafka_version_str) *af_rd_kafka_version_str(void);

#endif
