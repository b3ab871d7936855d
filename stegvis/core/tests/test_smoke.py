def test_alice_sees_her_start_page(as_persona, world):
    response = as_persona("alice").get(world.a.get_absolute_url())
    assert response.status_code == 200
    assert "Förbund A" in response.content.decode()
