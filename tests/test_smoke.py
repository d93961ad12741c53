def test_settings_use_test_media(settings) -> None:  # type: ignore[no-untyped-def]
    assert "media" in settings.MEDIA_ROOT
