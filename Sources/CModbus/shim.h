#ifndef WAYSTATION_CMODBUS_SHIM_H
#define WAYSTATION_CMODBUS_SHIM_H
#include <modbus.h>
#include <errno.h>

// libmodbus reports failures through errno, which is thread-local and clobbered by the next call. Each wrapper
// below reads it in the same C frame as the call it belongs to and hands it back through `error`.

static inline int waystation_modbus_connect(modbus_t *ctx, int *error) {
    int rc = modbus_connect(ctx);
    *error = rc < 0 ? errno : 0;
    return rc;
}

static inline int waystation_modbus_read_registers(modbus_t *ctx, int address, int count, uint16_t *dest, int *error) {
    int rc = modbus_read_registers(ctx, address, count, dest);
    *error = rc < 0 ? errno : 0;
    return rc;
}

static inline int waystation_modbus_read_input_registers(modbus_t *ctx, int address, int count, uint16_t *dest, int *error) {
    int rc = modbus_read_input_registers(ctx, address, count, dest);
    *error = rc < 0 ? errno : 0;
    return rc;
}

static inline int waystation_modbus_read_bits(modbus_t *ctx, int address, int count, uint8_t *dest, int *error) {
    int rc = modbus_read_bits(ctx, address, count, dest);
    *error = rc < 0 ? errno : 0;
    return rc;
}

static inline int waystation_modbus_read_input_bits(modbus_t *ctx, int address, int count, uint8_t *dest, int *error) {
    int rc = modbus_read_input_bits(ctx, address, count, dest);
    *error = rc < 0 ? errno : 0;
    return rc;
}

static inline modbus_t *waystation_modbus_new_tcp(const char *node, const char *service, int *error) {
    modbus_t *ctx = modbus_new_tcp_pi(node, service);
    *error = ctx == NULL ? errno : 0;
    return ctx;
}

static inline modbus_t *waystation_modbus_new_rtu(const char *device, int baud, char parity, int data_bits, int stop_bits, int *error) {
    modbus_t *ctx = modbus_new_rtu(device, baud, parity, data_bits, stop_bits);
    *error = ctx == NULL ? errno : 0;
    return ctx;
}

static inline int waystation_modbus_tcp_listen(modbus_t *ctx, int backlog, int *error) {
    int rc = modbus_tcp_pi_listen(ctx, backlog);
    *error = rc < 0 ? errno : 0;
    return rc;
}

static inline int waystation_modbus_receive(modbus_t *ctx, uint8_t *request, int *error) {
    int rc = modbus_receive(ctx, request);
    *error = rc < 0 ? errno : 0;
    return rc;
}

/// MODBUS_ENOBASE and the EMBX… / EMB… constants are macro expressions that do not import into Swift.
static inline int waystation_modbus_errno_base(void) { return MODBUS_ENOBASE; }
static inline int waystation_modbus_bad_crc(void) { return EMBBADCRC; }
static inline int waystation_modbus_bad_data(void) { return EMBBADDATA; }
static inline int waystation_modbus_last_exception(void) { return EMBXGTAR; }
static inline int waystation_modbus_max_adu_length(void) { return MODBUS_MAX_ADU_LENGTH; }
#endif
