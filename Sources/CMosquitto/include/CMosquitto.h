#ifndef AREAFLOW_CMOSQUITTO_H
#define AREAFLOW_CMOSQUITTO_H

// libmosquitto, loaded when an MQTT input is opened rather than linked into every areaflow process: the library
// and the OpenSSL it brings cost about 2 MB of resident memory in a replay that never speaks MQTT, and the binary
// runs where libmosquitto is not installed. The declarations (types, constants) come from Debian's mosquitto.h; the
// functions are reached through the pointers the accessors below return, of exactly the declared types, filled by
// `af_mosquitto_load` (accessors rather than global variables, which Swift 6 treats as shared mutable state).

#include <mosquitto.h>

/// Loads libmosquitto.so.1 once; NULL on success, else what went wrong (for the error message).
const char *af_mosquitto_load(void);

__typeof__(mosquitto_lib_init) *af_mosquitto_lib_init(void);
__typeof__(mosquitto_new) *af_mosquitto_new(void);
__typeof__(mosquitto_int_option) *af_mosquitto_int_option(void);
__typeof__(mosquitto_username_pw_set) *af_mosquitto_username_pw_set(void);
__typeof__(mosquitto_tls_set) *af_mosquitto_tls_set(void);
__typeof__(mosquitto_tls_opts_set) *af_mosquitto_tls_opts_set(void);
__typeof__(mosquitto_tls_insecure_set) *af_mosquitto_tls_insecure_set(void);
__typeof__(mosquitto_connect_with_flags_callback_set) *af_mosquitto_connect_with_flags_callback_set(void);
__typeof__(mosquitto_subscribe_callback_set) *af_mosquitto_subscribe_callback_set(void);
__typeof__(mosquitto_message_callback_set) *af_mosquitto_message_callback_set(void);
__typeof__(mosquitto_log_callback_set) *af_mosquitto_log_callback_set(void);
__typeof__(mosquitto_reconnect) *af_mosquitto_reconnect(void);
__typeof__(mosquitto_connect) *af_mosquitto_connect(void);
__typeof__(mosquitto_loop) *af_mosquitto_loop(void);
__typeof__(mosquitto_disconnect) *af_mosquitto_disconnect(void);
__typeof__(mosquitto_connack_string) *af_mosquitto_connack_string(void);
__typeof__(mosquitto_subscribe) *af_mosquitto_subscribe(void);
__typeof__(mosquitto_strerror) *af_mosquitto_strerror(void);

#endif
