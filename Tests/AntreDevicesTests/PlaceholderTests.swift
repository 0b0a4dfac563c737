import Testing
@Test func placeholderAntreDevicesTests() {}
