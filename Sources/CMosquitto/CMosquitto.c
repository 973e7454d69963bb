#include "CMosquitto.h"

#include <dlfcn.h>
#include <pthread.h>

static __typeof__(mosquitto_lib_init) *p_mosquitto_lib_init;
__typeof__(mosquitto_lib_init) *af_mosquitto_lib_init(void) { return p_mosquitto_lib_init; }
static __typeof__(mosquitto_new) *p_mosquitto_new;
__typeof__(mosquitto_new) *af_mosquitto_new(void) { return p_mosquitto_new; }
static __typeof__(mosquitto_int_option) *p_mosquitto_int_option;
__typeof__(mosquitto_int_option) *af_mosquitto_int_option(void) { return p_mosquitto_int_option; }
static __typeof__(mosquitto_username_pw_set) *p_mosquitto_username_pw_set;
__typeof__(mosquitto_username_pw_set) *af_mosquitto_username_pw_set(void) { return p_mosquitto_username_pw_set; }
static __typeof__(mosquitto_tls_set) *p_mosquitto_tls_set;
__typeof__(mosquitto_tls_set) *af_mosquitto_tls_set(void) { return p_mosquitto_tls_set; }
static __typeof__(mosquitto_tls_opts_set) *p_mosquitto_tls_opts_set;
__typeof__(mosquitto_tls_opts_set) *af_mosquitto_tls_opts_set(void) { return p_mosquitto_tls_opts_set; }
static __typeof__(mosquitto_tls_insecure_set) *p_mosquitto_tls_insecure_set;
__typeof__(mosquitto_tls_insecure_set) *af_mosquitto_tls_insecure_set(void) { return p_mosquitto_tls_insecure_set; }
static __typeof__(mosquitto_connect_with_flags_callback_set) *p_mosquitto_connect_with_flags_callback_set;
__typeof__(mosquitto_connect_with_flags_callback_set) *af_mosquitto_connect_with_flags_callback_set(void) { return p_mosquitto_connect_with_flags_callback_set; }
static __typeof__(mosquitto_subscribe_callback_set) *p_mosquitto_subscribe_callback_set;
__typeof__(mosquitto_subscribe_callback_set) *af_mosquitto_subscribe_callback_set(void) { return p_mosquitto_subscribe_callback_set; }
static __typeof__(mosquitto_message_callback_set) *p_mosquitto_message_callback_set;
__typeof__(mosquitto_message_callback_set) *af_mosquitto_message_callback_set(void) { return p_mosquitto_message_callback_set; }
static __typeof__(mosquitto_log_callback_set) *p_mosquitto_log_callback_set;
__typeof__(mosquitto_log_callback_set) *af_mosquitto_log_callback_set(void) { return p_mosquitto_log_callback_set; }
static __typeof__(mosquitto_reconnect) *p_mosquitto_reconnect;
__typeof__(mosquitto_reconnect) *af_mosquitto_reconnect(void) { return p_mosquitto_reconnect; }
static __typeof__(mosquitto_connect) *p_mosquitto_connect;
__typeof__(mosquitto_connect) *af_mosquitto_connect(void) { return p_mosquitto_connect; }
static __typeof__(mosquitto_loop) *p_mosquitto_loop;
__typeof__(mosquitto_loop) *af_mosquitto_loop(void) { return p_mosquitto_loop; }
static __typeof__(mosquitto_disconnect) *p_mosquitto_disconnect;
__typeof__(mosquitto_disconnect) *af_mosquitto_disconnect(void) { return p_mosquitto_disconnect; }
static __typeof__(mosquitto_connack_string) *p_mosquitto_connack_string;
__typeof__(mosquitto_connack_string) *af_mosquitto_connack_string(void) { return p_mosquitto_connack_string; }
static __typeof__(mosquitto_subscribe) *p_mosquitto_subscribe;
__typeof__(mosquitto_subscribe) *af_mosquitto_subscribe(void) { return p_mosquitto_subscribe; }
static __typeof__(mosquitto_strerror) *p_mosquitto_strerror;
__typeof__(mosquitto_strerror) *af_mosquitto_strerror(void) { return p_mosquitto_strerror; }

static const char *load_error = "libmosquitto was not loaded";

static void load(void) {
  void *handle = dlopen("libmosquitto.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    load_error = dlerror();
    return;
  }
#define AF_SYMBOL(name)                                                                                                \
  p_##name = (__typeof__(name) *)dlsym(handle, #name);                                                                \
  if (!p_##name) {                                                                                                    \
    load_error = "libmosquitto.so.1 lacks " #name;                                                                     \
    return;                                                                                                            \
  }
  AF_SYMBOL(mosquitto_lib_init)
  AF_SYMBOL(mosquitto_new)
  AF_SYMBOL(mosquitto_int_option)
  AF_SYMBOL(mosquitto_username_pw_set)
  AF_SYMBOL(mosquitto_tls_set)
  AF_SYMBOL(mosquitto_tls_opts_set)
  AF_SYMBOL(mosquitto_tls_insecure_set)
  AF_SYMBOL(mosquitto_connect_with_flags_callback_set)
  AF_SYMBOL(mosquitto_subscribe_callback_set)
  AF_SYMBOL(mosquitto_message_callback_set)
  AF_SYMBOL(mosquitto_log_callback_set)
  AF_SYMBOL(mosquitto_reconnect)
  AF_SYMBOL(mosquitto_connect)
  AF_SYMBOL(mosquitto_loop)
  AF_SYMBOL(mosquitto_disconnect)
  AF_SYMBOL(mosquitto_connack_string)
  AF_SYMBOL(mosquitto_subscribe)
  AF_SYMBOL(mosquitto_strerror)
  load_error = 0;
}

const char *af_mosquitto_load(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, load);
  return load_error;
}
