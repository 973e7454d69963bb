import AreaflowRuntime

/// Messages for people go to standard error; standard output is kept for data (`generate`) and reports.
enum StandardErrorText {
  static func write(_ text: String) { StandardError.write(text) }
}
