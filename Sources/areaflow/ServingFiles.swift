import AreaflowCore
import AreaflowRuntime
import AreaflowServer
import ArgumentParser
import Logging

/// The files `http:` names, read before anything is served: the TLS certificate and key, and the users file. A
/// problem with either is a config error (exit 2), found by `check` as well as by `run`.
struct ServingFiles {
  let access: AccessControl?
  let certificates: CertificateStore?

  static func load(_ http: HTTPConfig, configPath: String, logger: Logger) throws -> ServingFiles {
    do {
      let certificates = try http.tls.map { files throws(CertificateStore.Problem) in
        try CertificateStore(files: files, logger: logger)
      }
      do {
        let access = try http.usersFile.map { path throws(AccessList.Problem) in
          try AccessControl(path: path, logger: logger)
        }
        return ServingFiles(access: access, certificates: certificates)
      } catch {
        StandardError.write("areaflow: config error: \(configPath): http.users_file: \(error.description)\n")
        throw ExitCode(2)
      }
    } catch let error as CertificateStore.Problem {
      StandardError.write("areaflow: config error: \(configPath): http.tls: \(error.description)\n")
      throw ExitCode(2)
    }
  }
}
