/// How to reach and identify with a broker.
public struct MQTTOptions: Sendable {
    public var host: String
    public var port: Int
    public var clientID: String
    /// `false` keeps a persistent session: the broker queues QoS 1 messages while we are away.
    public var cleanSession: Bool
    public var keepAliveSeconds: Int
    public var username: String?
    public var password: String?
    public var tls: TLS?
    /// QoS 1/2 messages we may have in flight towards the broker.
    public var sendMaximum: Int
    public var will: Will?

    public struct TLS: Sendable {
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
        public init(caFile: String?, certFile: String?, keyFile: String?) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    public struct Will: Sendable {
        public var topic: String
        public var payload: [UInt8]
        public var retain: Bool
        public init(topic: String, payload: [UInt8], retain: Bool) {
            self.topic = topic
            self.payload = payload
            self.retain = retain
        }
    }

    public init(
        host: String, port: Int, clientID: String, cleanSession: Bool = false, keepAliveSeconds: Int = 30,
        username: String? = nil, password: String? = nil, tls: TLS? = nil, sendMaximum: Int = 100, will: Will? = nil
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.keepAliveSeconds = keepAliveSeconds
        self.username = username
        self.password = password
        self.tls = tls
        self.sendMaximum = sendMaximum
        self.will = will
    }

    /// `host:port` for messages.
    public var brokerDescription: String { (tls == nil ? "mqtt://" : "mqtts://") + "\(host):\(port)" }
}

/// One message as received; the payload is a copy (libmosquitto frees its own when the callback returns).
public struct MQTTMessage: Sendable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int
    public var retain: Bool
}
