import AreaflowServer
import ArgumentParser
import Foundation

/// `areaflow users`: makes the entries of an `http.users_file` without putting a secret on a command line.
struct UsersCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "users",
    abstract: "Make entries for an http.users_file: bcrypt password hashes and bearer tokens.",
    subcommands: [Hash.self, Token.self])

  /// `areaflow users hash --name NAME --scopes read`: reads a password from standard input, prints a users entry.
  struct Hash: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Read a password from standard input and print a users entry with its bcrypt hash.",
      discussion: "Example: printf '%s' \"$PASSWORD\" | areaflow users hash --name analyst --scopes read")

    @Option(help: "The user name (basic auth).") var name: String
    @Option(help: "Comma-separated scopes: read, metrics.") var scopes = "read"
    @Option(help: "bcrypt cost (log2 rounds), 10 to 15.") var cost: UInt8 = 12

    func validate() throws {
      guard (10...15).contains(cost) else { throw ValidationError("--cost must be between 10 and 15") }
      try UsersCommand.checkScopes(scopes)
    }

    func run() throws {
      let input = FileHandle.standardInput.readDataToEndOfFile()
      var password = String(decoding: input, as: UTF8.self)
      if password.hasSuffix("\n") { password.removeLast() }
      guard !password.isEmpty else { throw ValidationError("no password on standard input") }
      let hash = AccessList.bcryptHash(password, cost: cost)
      print("  - {name: \(name), bcrypt: \"\(hash)\", scopes: [\(UsersCommand.list(scopes))]}")
    }
  }

  /// `areaflow users token --name NAME --scopes metrics`: a new random token and its users entry.
  struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Make a random bearer token; print it once (to stderr) and its users entry (to stdout).")

    @Option(help: "The token's name (shown in logs).") var name: String
    @Option(help: "Comma-separated scopes: read, metrics.") var scopes = "metrics"

    func validate() throws { try UsersCommand.checkScopes(scopes) }

    func run() throws {
      let (token, digest) = AccessList.newToken()
      FileHandle.standardError.write(Data("token (shown once; give it to the client): \(token)\n".utf8))
      print("  - {name: \(name), sha256: \"\(digest)\", scopes: [\(UsersCommand.list(scopes))]}")
    }
  }

  static func checkScopes(_ text: String) throws {
    for s in text.split(separator: ",") where AccessList.Scope(rawValue: s.trimmingCharacters(in: .whitespaces)) == nil
    {
      throw ValidationError("unknown scope '\(s)'; expected read, metrics")
    }
  }

  static func list(_ text: String) -> String {
    text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
  }
}
