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
    /// The printer moves to a column with ESC $ (absolute print position): the
    /// encoder then places the time of the date line and hanging indents with it
    /// (4 bytes) instead of runs of spaces. Part of every ESC/POS command set,
    /// clones included, so on by default; turn it off for a printer that prints
    /// "$" or ignores it.
    public var absolutePosition: Bool
    /// The printer honours GS L (left margin): long hanging-indented paragraphs
    /// are then indented by a margin (8 bytes per paragraph) instead of per line.
    /// Off by default: some clones ignore GS L, which would lose the indent.
    public var leftMargin: Bool

    /// Printable width in dots at 203 dpi: the paper's (384 or 576), or less when
    /// `columns` says the head is narrower (42 columns of 12-dot Font A = 504).
    public var printableDots: Int {
        let paperDots = paper == .mm58 ? 384 : 576
        return min(paperDots, max(1, columns) * 12)
    }

    public init(paper: PaperWidth = .mm80, columns: Int? = nil, codePage: CodePage = .pc858,
                hasCutter: Bool = true, cancelKanji: Bool = false, nativeQR: Bool = false,
                feedBeforeCut: Int = 4, absolutePosition: Bool = true, leftMargin: Bool = false) {
        self.paper = paper
        self.columns = columns ?? paper.columns
        self.codePage = codePage
        self.hasCutter = hasCutter
        self.cancelKanji = cancelKanji
        self.nativeQR = nativeQR
        self.feedBeforeCut = feedBeforeCut
        self.absolutePosition = absolutePosition
        self.leftMargin = leftMargin
    }

    /// Dots one Font A column takes (12 x 24 cells at 203 dpi): the unit of ESC $ and GS L.
    public static let columnDots = 12
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
