import AreaflowCore
import AreaflowRuntime
import Foundation
import Logging
import NIOSSL
import Synchronization

/// The TLS context `run --http` serves with, replaced when the certificate or key file changes or on SIGHUP, so a
/// renewed certificate (certbot, an internal CA) is served without a restart. Each new connection takes the
/// current context; open ones keep theirs. A renewal that cannot be read keeps the previous context and is logged.
public final class CertificateStore: Sendable {
  let files: HTTPConfig.TLSFiles
  private let state: Mutex<(context: NIOSSLContext, stamp: [FileStamp?])>
  private let logger: Logger

  /// A certificate and key that cannot be served, with what is wrong.
  public struct Problem: Error, CustomStringConvertible {
    public let description: String
  }

  /// Reads the files once.
  /// - Throws: `Problem` when either file is missing, unreadable or not PEM, or the key does not fit.
  public init(files: HTTPConfig.TLSFiles, logger: Logger) throws(Problem) {
    self.files = files
    self.logger = logger
    let context = try Self.context(files)
    state = Mutex((context, Self.stamp(files)))
  }

  /// The context new connections use.
  var context: NIOSSLContext { state.withLock { $0.context } }

  /// Reads the files again if they changed (or always, when `force`); returns whether the context was replaced.
  @discardableResult
  public func reload(force: Bool = false) -> Bool {
    let stamp = Self.stamp(files)
    guard force || stamp != state.withLock({ $0.stamp }) else { return false }
    do {
      let context = try Self.context(files)
      state.withLock { $0 = (context, stamp) }
      logger.info("TLS certificate reloaded", metadata: ["cert": "\(files.cert)"])
      return true
    } catch {
      // Remember the stamp so a half-written renewal is not retried every poll; the next change is.
      state.withLock { $0.stamp = stamp }
      logger.error(
        "the changed TLS certificate or key is unusable; serving the previous one",
        metadata: ["cert": "\(files.cert)", "error": "\(error.description)"])
      return false
    }
  }

  static func context(_ files: HTTPConfig.TLSFiles) throws(Problem) -> NIOSSLContext {
    let chain: [NIOSSLCertificate]
    do {
      chain = try NIOSSLCertificate.fromPEMFile(files.cert)
    } catch {
      throw Problem(description: "cannot read the certificate \(files.cert) as PEM: \(error)")
    }
    guard !chain.isEmpty else { throw Problem(description: "\(files.cert) holds no certificate") }
    let key: NIOSSLPrivateKey
    do {
      key = try NIOSSLPrivateKey(file: files.key, format: .pem)
    } catch {
      throw Problem(description: "cannot read the private key \(files.key) as PEM: \(error)")
    }
    var configuration = TLSConfiguration.makeServerConfiguration(
      certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    configuration.minimumTLSVersion = .tlsv12
    do {
      return try NIOSSLContext(configuration: configuration)
    } catch {
      throw Problem(
        description: "the certificate \(files.cert) and key \(files.key) do not make a TLS context: \(error)")
    }
  }

  /// Both files' stamps: what a renewal (rewrite or rename) changes.
  static func stamp(_ files: HTTPConfig.TLSFiles) -> [FileStamp?] {
    [FileStamp.of(files.cert), FileStamp.of(files.key)]
  }
}
