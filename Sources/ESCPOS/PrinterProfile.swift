/// What the encoder must know about one printer model.
public struct PrinterProfile: Sendable, Equatable {
    public enum PaperWidth: Int, Sendable, Equatable, CaseIterable {
        case mm58 = 58, mm80 = 80
        /// Font A columns at this width.
        public var columns: Int { self == .mm58 ? 32 : 48 }
    }

    public var paper: PaperWidth
    /// Font A columns; defaults from `paper`, overridable (e.g. 42 on a TM-T88).
    public var columns: Int
    public var codePage: CodePage
    public var hasCutter: Bool
    /// Send FS . to leave Kanji/Chinese mode: needed by many clone printers.
    public var cancelKanji: Bool
    public var nativeQR: Bool
    /// Lines fed before cutting (the cutter sits above the print head).
    public var feedBeforeCut: Int

    /// Printable width in dots at 203 dpi: the paper's (384 or 576), or less when
    /// `columns` says the head is narrower (42 columns of 12-dot Font A = 504).
    public var printableDots: Int {
        let paperDots = paper == .mm58 ? 384 : 576
        return min(paperDots, max(1, columns) * 12)
    }

    public init(paper: PaperWidth = .mm80, columns: Int? = nil, codePage: CodePage = .pc858,
                hasCutter: Bool = true, cancelKanji: Bool = false, nativeQR: Bool = false,
                feedBeforeCut: Int = 4) {
        self.paper = paper
        self.columns = columns ?? paper.columns
        self.codePage = codePage
        self.hasCutter = hasCutter
        self.cancelKanji = cancelKanji
        self.nativeQR = nativeQR
        self.feedBeforeCut = feedBeforeCut
    }
}

/// Character tables selectable with ESC t n that mean the same on most printers.
public enum CodePage: String, Sendable, Equatable, CaseIterable {
    case cp437, cp850, pc858, wpc1252

    /// The n of ESC t n.
    public var escTNumber: UInt8 {
        switch self {
        case .cp437: 0
        case .cp850: 2
        case .wpc1252: 16
        case .pc858: 19
        }
    }
}
