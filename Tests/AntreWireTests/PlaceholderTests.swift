import Testing
@Test func placeholderAntreWireTests() {}
