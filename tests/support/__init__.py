"""Test helpers shared by the optimiser's and the app's tests (real servers, no mocks)."""
