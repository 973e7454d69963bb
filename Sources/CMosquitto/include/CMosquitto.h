#ifndef AREAFLOW_CMOSQUITTO_H
#define AREAFLOW_CMOSQUITTO_H

// libmosquitto.so.1, opened with dlopen when an input or sink needs it instead of linked into every areaflow process
// (scripts/generate-dlopen-shims.py writes this file and explains why). Types and constants come from the
// library's own header; its functions are reached through the accessors below, which return pointers of
// exactly the declared types (accessors, because Swift 6 treats C global variables as shared mutable state).

#include <mosquitto.h>

/// Opens libmosquitto.so.1 once; NULL when it is ready, else what went wrong (for the error message).
const char *af_CMosquitto_load(void);

__typeof__(mosquitto_connack_string) *af_mosquitto_connack_string(void);
__typeof__(mosquitto_connect) *af_mosquitto_connect(void);
__typeof__(mosquitto_connect_with_flags_callback_set) *af_mosquitto_connect_with_flags_callback_set(void);
__typeof__(mosquitto_disconnect) *af_mosquitto_disconnect(void);
__typeof__(mosquitto_int_option) *af_mosquitto_int_option(void);
__typeof__(mosquitto_lib_init) *af_mosquitto_lib_init(void);
__typeof__(mosquitto_log_callback_set) *af_mosquitto_log_callback_set(void);
__typeof__(mosquitto_loop) *af_mosquitto_loop(void);
__typeof__(mosquitto_message_callback_set) *af_mosquitto_message_callback_set(void);
__typeof__(mosquitto_new) *af_mosquitto_new(void);
__typeof__(mosquitto_reconnect) *af_mosquitto_reconnect(void);
__typeof__(mosquitto_strerror) *af_mosquitto_strerror(void);
__typeof__(mosquitto_subscribe) *af_mosquitto_subscribe(void);
__typeof__(mosquitto_subscribe_callback_set) *af_mosquitto_subscribe_callback_set(void);
__typeof__(mosquitto_tls_insecure_set) *af_mosquitto_tls_insecure_set(void);
__typeof__(mosquitto_tls_opts_set) *af_mosquitto_tls_opts_set(void);
__typeof__(mosquitto_tls_set) *af_mosquitto_tls_set(void);
__typeof__(mosquitto_username_pw_set) *af_mosquitto_username_pw_set(void);

#endif
