#ifndef WAYSTATION_CMOSQUITTO_SHIM_H
#define WAYSTATION_CMOSQUITTO_SHIM_H
#include <mosquitto.h>
#include <errno.h>

/// errno as seen right after a libmosquitto call returned MOSQ_ERR_ERRNO.
static inline int waystation_mosq_errno(void) { return errno; }

/// libmosquitto only logs "certificate verify failed"; OpenSSL's verify result says why (expired, wrong host,
/// unknown CA). Declared here instead of including <openssl/ssl.h>, which would import all of OpenSSL into Swift.
long SSL_get_verify_result(const void *ssl);
const char *X509_verify_cert_error_string(long result);

int SSL_pending(const void *ssl);

/// Bytes of a decrypted TLS record read from the socket but not yet consumed (0 without TLS).
static inline int waystation_mosq_ssl_pending(struct mosquitto *mosq) {
    void *ssl = mosquitto_ssl_get(mosq);
    return ssl ? SSL_pending(ssl) : 0;
}

/// The verify result of the connection's TLS session (0: none, or verified), read from a libmosquitto log callback.
static inline long waystation_mosq_tls_verify_result(struct mosquitto *mosq) {
    void *ssl = mosquitto_ssl_get(mosq);
    return ssl ? SSL_get_verify_result(ssl) : 0;
}
#endif
